/*
 * formula_parse.c -- formula text to tree: lexer, precedence-climbing
 * parser with explicit limits, name resolution and folding of constant
 * sub-expressions; also the tree's node store and its text form for
 * messages.
 *
 * Nodes are hash-consed: an expression that occurs twice is one node, so
 * structural equality is index equality (the linearity pass finds
 * identical terms and the program shares sub-expressions by that alone),
 * and children always precede their parents, so passes run over indices
 * instead of recursing.  The parser recurses only through parentheses,
 * calls, unary minus and ^, and counts that depth before recursing.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formula_int.h"

const SlfFnInfo slf_fn_info[FN_COUNT] = {
	[FN_EXP] = {"exp", 1},[FN_EXPM1] = {"expm1", 1},[FN_LN] = {"ln", 1},
	[FN_LOG1P] = {"log1p", 1},[FN_LOG10] = {"log10", 1},[FN_LOG2] = {"log2", 1},
	[FN_LOG] = {"log", 2},[FN_SQRT] = {"sqrt", 1},[FN_ABS] = {"abs", 1},
	[FN_POW] = {"pow", 2},[FN_MIN] = {"min", 2},[FN_MAX] = {"max", 2},
	[FN_SIN] = {"sin", 1},[FN_COS] = {"cos", 1},[FN_ATAN] = {"atan", 1},
	[FN_TANH] = {"tanh", 1},[FN_SIGMOID] = {"sigmoid", 1},[FN_SOFTPLUS] = {"softplus", 1},
};

#define FUNCTION_LIST_HINT "The functions are exp, expm1, ln, log1p, log10, log2, log(b, x), " \
	"sqrt, abs, pow, min, max, sin, cos, atan, tanh, sigmoid and softplus."
#define HEADER_HINT "Start the formula with its inputs in array order, " \
	"as in \"(N, D) => E + A / N^alpha + B / D^beta\" or \"N => L + a * N^-alpha\"."

void
slf_set_error(SlfError *err, SlfErrorKind kind, int pos, const char *hint, const char *fmt,...)
{
	va_list		ap;

	err->kind = kind;
	err->pos = pos;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	snprintf(err->hint, sizeof(err->hint), "%s", hint ? hint : "");
}

const char *
slf_error_kind_sqlstate(SlfErrorKind kind)
{
	switch (kind)
	{
		case SLF_OK:
			return "00000";
		case SLF_ERR_SYNTAX:
			return "42601";
		case SLF_ERR_FUNCTION:
			return "42883";
		case SLF_ERR_LIMIT:
			return "54000";
		case SLF_ERR_LAW:
		case SLF_ERR_NOT_FINITE:
			return "22023";
		case SLF_ERR_NO_MEMORY:
			return "53200";
	}
	return "XX000";
}

void
slf_format_double(double v, char *buf, size_t sz)
{
	if (isnan(v))
		snprintf(buf, sz, "NaN");
	else if (isinf(v))
		snprintf(buf, sz, v > 0 ? "Infinity" : "-Infinity");
	else
		for (int prec = 1; prec <= 17; prec++)
		{
			snprintf(buf, sz, "%.*g", prec, v);
			if (strtod(buf, NULL) == v)
				break;
		}
}

/* ---- the node store */

static uint64_t
node_hash(const SlfNode *nd)
{
	uint64_t	bits;
	uint64_t	h;

	memcpy(&bits, &nd->num, sizeof(bits));
	h = ((uint64_t) nd->op << 56) ^ ((uint64_t) nd->fn << 48) ^ (uint64_t) (uint32_t) nd->n;
	h = (h ^ ((uint64_t) (uint32_t) nd->a << 32 | (uint32_t) nd->b)) * 0x9e3779b97f4a7c15ULL;
	h = (h ^ bits ^ (h >> 29)) * 0xbf58476d1ce4e5b9ULL;
	return h ^ (h >> 31);
}

static bool
node_equal(const SlfNode *x, const SlfNode *y)
{
	return x->op == y->op && x->fn == y->fn && x->a == y->a && x->b == y->b &&
		x->n == y->n && memcmp(&x->num, &y->num, sizeof(double)) == 0;
}

/* the node's slot in the hash table: where it is, or the empty slot for it */
static int
hash_slot(const SlfTree *t, const SlfNode *nd)
{
	int			mask = t->hash_size - 1;
	int			h = (int) (node_hash(nd) & (uint64_t) mask);

	while (t->hash[h] >= 0 && !node_equal(&t->nodes[t->hash[h]], nd))
		h = (h + 1) & mask;
	return h;
}

/* doubles the hash table (kept at most half full) */
static bool
grow_hash(SlfTree *t)
{
	int			size = 2 * t->hash_size;
	int32_t    *hash = t->al->alloc(t->al->ctx, (size_t) size * sizeof(int32_t));

	if (hash == NULL)
		return false;
	memset(hash, 0xff, (size_t) size * sizeof(int32_t));
	t->al->free(t->al->ctx, t->hash);
	t->hash = hash;
	t->hash_size = size;
	for (int i = 0; i < t->n_nodes; i++)
		t->hash[hash_slot(t, &t->nodes[i])] = i;
	return true;
}

static bool
tree_init(SlfTree *t, SlfError *err)
{
	t->hash_size = 512;
	t->cap_nodes = 256;
	t->nodes = t->al->alloc(t->al->ctx, (size_t) t->cap_nodes * sizeof(SlfNode));
	t->hash = t->al->alloc(t->al->ctx, (size_t) t->hash_size * sizeof(int32_t));
	if (t->nodes == NULL || t->hash == NULL)
	{
		slf_set_error(err, SLF_ERR_NO_MEMORY, -1, NULL, "out of memory compiling a formula");
		return false;
	}
	memset(t->hash, 0xff, (size_t) t->hash_size * sizeof(int32_t));
	return true;
}

void
slf_tree_free(SlfTree *t)
{
	const SlAlloc *al = t->al;

	if (al == NULL)
		return;
	for (int i = 0; i < t->n_inputs; i++)
		al->free(al->ctx, t->input_names[i]);
	for (int p = 0; p < t->n_params; p++)
		al->free(al->ctx, t->param_names[p]);
	if (t->nodes)
		al->free(al->ctx, t->nodes);
	if (t->hash)
		al->free(al->ctx, t->hash);
	t->nodes = NULL;
	t->hash = NULL;
	t->n_inputs = t->n_params = 0;
}

int
slf_node(SlfTree *t, SlfOp op, int fn, int a, int b, int n, double num, SlfError *err)
{
	SlfNode		nd = {(uint8_t) op, (uint8_t) fn, a, b, n, num};
	bool		fold = false;
	int			h;

	if (op == OP_NUM)
		nd.a = nd.b = -1;
	else if (op != OP_INPUT && op != OP_PARAM)
		fold = t->nodes[a].op == OP_NUM && (b < 0 || t->nodes[b].op == OP_NUM);
	if (fold)
	{
		double		v = slf_op_value(op, fn, n, t->nodes[a].num, b < 0 ? 0.0 : t->nodes[b].num);

		if (isfinite(v))
			return slf_node(t, OP_NUM, 0, -1, -1, 0, v, err);
	}
	h = hash_slot(t, &nd);
	if (t->hash[h] < 0)
	{
		if (t->n_nodes >= SLF_MAX_ALL_NODES)
		{
			slf_set_error(err, SLF_ERR_LIMIT, -1, NULL,
						  "formula has more than %d nodes", SLF_MAX_NODES);
			return -1;
		}
		if (2 * (t->n_nodes + 1) > t->hash_size)
		{
			if (!grow_hash(t))
			{
				slf_set_error(err, SLF_ERR_NO_MEMORY, -1, NULL, "out of memory compiling a formula");
				return -1;
			}
			h = hash_slot(t, &nd);
		}
		if (t->n_nodes == t->cap_nodes)
		{
			SlfNode    *grown = t->al->realloc(t->al->ctx, t->nodes,
											   (size_t) t->cap_nodes * sizeof(SlfNode),
											   (size_t) t->cap_nodes * 2 * sizeof(SlfNode));

			if (grown == NULL)
			{
				slf_set_error(err, SLF_ERR_NO_MEMORY, -1, NULL, "out of memory compiling a formula");
				return -1;
			}
			t->nodes = grown;
			t->cap_nodes *= 2;
		}
		t->nodes[t->n_nodes] = nd;
		t->hash[h] = t->n_nodes++;
	}
	if (fold)
	{
		/* a constant that is not finite: the law is undefined everywhere */
		char		text[200];

		slf_deparse(t, t->hash[h], text, sizeof(text));
		slf_set_error(err, SLF_ERR_NOT_FINITE, -1, NULL, "%s is not finite", text);
		return -1;
	}
	return t->hash[h];
}

/* ---- text of a node, for messages */

typedef struct Writer
{
	char	   *buf;
	size_t		sz;
	size_t		len;
} Writer;

static void
put(Writer *w, const char *s)
{
	size_t		n = strlen(s);

	if (w->len + n >= w->sz)
		n = w->sz - 1 - w->len;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

/* precedence of a node's outermost operator as printed */
static int
node_prec(const SlfNode *nd)
{
	switch ((SlfOp) nd->op)
	{
		case OP_ADD:
		case OP_SUB:
			return 1;
		case OP_MUL:
		case OP_DIV:
			return 2;
		case OP_NEG:
			return 3;
		case OP_POW:
		case OP_POWI:
			return 4;
		case OP_NUM:
			return nd->num < 0 || (nd->num == 0 && signbit(nd->num)) ? 3 : 5;
		default:
			return 5;
	}
}

/* writes node n, in parentheses when its precedence is below min_prec */
static void
deparse(const SlfTree *t, int n, int min_prec, int depth, Writer *w)
{
	const SlfNode *nd = &t->nodes[n];
	bool		paren = node_prec(nd) < min_prec;
	char		num[40];

	if (w->len + 4 >= w->sz || depth > 100)
	{
		if (w->sz > 4 && strcmp(w->buf + (w->len >= 3 ? w->len - 3 : 0), "...") != 0)
		{
			w->len = w->len + 4 >= w->sz ? w->sz - 4 : w->len;
			w->buf[w->len] = '\0';
			put(w, "...");
		}
		return;
	}
	if (paren)
		put(w, "(");
	switch ((SlfOp) nd->op)
	{
		case OP_NUM:
			slf_format_double(nd->num, num, sizeof(num));
			put(w, num);
			break;
		case OP_INPUT:
			put(w, t->input_names[nd->n]);
			break;
		case OP_PARAM:
			put(w, t->param_names[nd->n]);
			break;
		case OP_NEG:
			put(w, "-");
			deparse(t, nd->a, 4, depth + 1, w);
			break;
		case OP_ADD:
		case OP_SUB:
			deparse(t, nd->a, 1, depth + 1, w);
			put(w, nd->op == OP_ADD ? " + " : " - ");
			deparse(t, nd->b, 2, depth + 1, w);
			break;
		case OP_MUL:
		case OP_DIV:
			deparse(t, nd->a, 2, depth + 1, w);
			put(w, nd->op == OP_MUL ? "*" : "/");
			deparse(t, nd->b, 3, depth + 1, w);
			break;
		case OP_POWI:
			deparse(t, nd->a, 5, depth + 1, w);
			snprintf(num, sizeof(num), "^%d", (int) nd->n);
			put(w, num);
			break;
		case OP_POW:
			deparse(t, nd->a, 5, depth + 1, w);
			put(w, "^");
			deparse(t, nd->b, 3, depth + 1, w);
			break;
		case OP_FN:
			put(w, slf_fn_info[nd->fn].name);
			put(w, "(");
			deparse(t, nd->a, 0, depth + 1, w);
			if (nd->b >= 0)
			{
				put(w, ", ");
				deparse(t, nd->b, 0, depth + 1, w);
			}
			put(w, ")");
			break;
		case OP_POWL:
			break;				/* only in programs, never in the tree */
	}
	if (paren)
		put(w, ")");
}

void
slf_deparse(const SlfTree *t, int node, char *buf, size_t sz)
{
	Writer		w = {buf, sz, 0};

	buf[0] = '\0';
	deparse(t, node, 0, 0, &w);
}

/* ---- lexer */

typedef enum TokKind
{
	T_END, T_NUM, T_IDENT, T_PLUS, T_MINUS, T_STAR, T_SLASH, T_CARET,
	T_LPAREN, T_RPAREN, T_COMMA, T_ARROW
} TokKind;

typedef struct Token
{
	TokKind		kind;
	int			pos;
	int			len;
	double		num;
} Token;

typedef struct Parser
{
	SlfTree    *t;
	const char *s;
	int			len;
	int			p;				/* next byte to read */
	Token		tok;			/* current token */
	int			depth;
	SlfError   *err;
} Parser;

static bool
is_ident_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void
syntax_error_at(Parser *P, const Token *tok)
{
	if (tok->kind == T_END)
		slf_set_error(P->err, SLF_ERR_SYNTAX, tok->pos, NULL, "unexpected end of formula");
	else
		slf_set_error(P->err, SLF_ERR_SYNTAX, tok->pos, NULL, "syntax error at or near \"%.*s\"",
					  tok->len > 64 ? 64 : tok->len, P->s + tok->pos);
}

/* reads the next token into P->tok */
static bool
next_token(Parser *P)
{
	const char *s = P->s;
	int			p = P->p;
	Token	   *tok = &P->tok;

	while (p < P->len && (s[p] == ' ' || s[p] == '\t' || s[p] == '\n' || s[p] == '\r' ||
						  s[p] == '\f' || s[p] == '\v'))
		p++;
	tok->pos = p;
	tok->len = 1;
	if (p >= P->len)
	{
		tok->kind = T_END;
		tok->len = 0;
		P->p = p;
		return true;
	}
	if (is_digit(s[p]) || (s[p] == '.' && p + 1 < P->len && is_digit(s[p + 1])))
	{
		char		lit[SLF_MAX_TEXT + 1];
		int			q = p;

		while (q < P->len && is_digit(s[q]))
			q++;
		if (q < P->len && s[q] == '.')
			for (q++; q < P->len && is_digit(s[q]); q++)
				;
		if (q < P->len && (s[q] == 'e' || s[q] == 'E'))
		{
			int			r = q + 1;

			if (r < P->len && (s[r] == '+' || s[r] == '-'))
				r++;
			/* "2e" followed by no digit: the literal ends before the e */
			if (r < P->len && is_digit(s[r]))
				for (q = r; q < P->len && is_digit(s[q]); q++)
					;
		}
		tok->kind = T_NUM;
		tok->len = q - p;
		memcpy(lit, s + p, (size_t) tok->len);
		lit[tok->len] = '\0';
		errno = 0;
		tok->num = strtod(lit, NULL);
		/* as PostgreSQL's float8in: a subnormal is kept, an underflow to zero is not */
		if (!isfinite(tok->num) || (errno == ERANGE && tok->num == 0))
		{
			slf_set_error(P->err, SLF_ERR_SYNTAX, p, NULL, "numeric literal \"%.*s\" is out of range",
						  tok->len > 64 ? 64 : tok->len, lit);
			return false;
		}
		P->p = q;
		return true;
	}
	if (is_ident_start(s[p]))
	{
		int			q = p + 1;

		while (q < P->len && (is_ident_start(s[q]) || is_digit(s[q])))
			q++;
		tok->kind = T_IDENT;
		tok->len = q - p;
		P->p = q;
		return true;
	}
	switch (s[p])
	{
		case '+':
			tok->kind = T_PLUS;
			break;
		case '-':
			tok->kind = T_MINUS;
			break;
		case '*':
			tok->kind = T_STAR;
			if (p + 1 < P->len && s[p + 1] == '*')
			{
				tok->kind = T_CARET;
				tok->len = 2;
			}
			break;
		case '/':
			tok->kind = T_SLASH;
			break;
		case '^':
			tok->kind = T_CARET;
			break;
		case '(':
			tok->kind = T_LPAREN;
			break;
		case ')':
			tok->kind = T_RPAREN;
			break;
		case ',':
			tok->kind = T_COMMA;
			break;
		case '=':
			if (p + 1 < P->len && s[p + 1] == '>')
			{
				tok->kind = T_ARROW;
				tok->len = 2;
				break;
			}
			/* FALLTHROUGH */
		default:
			/* NUL and non-ASCII bytes were refused before the first token */
			if ((unsigned char) s[p] < 0x20 || s[p] == 0x7f)
				slf_set_error(P->err, SLF_ERR_SYNTAX, p,
							  "A formula is ASCII text: letters, digits, _ and + - * / ^ ( ) , . =>.",
							  "invalid byte 0x%02x in formula", (unsigned char) s[p]);
			else
				slf_set_error(P->err, SLF_ERR_SYNTAX, p, NULL, "syntax error at or near \"%c\"", s[p]);
			return false;
	}
	P->p = p + tok->len;
	return true;
}

/* ---- parser */

static bool
tok_is(const Parser *P, const char *name)
{
	return P->tok.kind == T_IDENT && (size_t) P->tok.len == strlen(name) &&
		memcmp(P->s + P->tok.pos, name, (size_t) P->tok.len) == 0;
}

static int
find_function(const Parser *P)
{
	for (int i = 0; i < FN_COUNT; i++)
		if (tok_is(P, slf_fn_info[i].name))
			return i;
	return -1;
}

/* the index of token tok's text among names, or -1 */
static int
find_name(char *const *names, int n, const Parser *P, const Token *tok)
{
	for (int i = 0; i < n; i++)
		if (strlen(names[i]) == (size_t) tok->len &&
			memcmp(names[i], P->s + tok->pos, (size_t) tok->len) == 0)
			return i;
	return -1;
}

static char *
copy_token(Parser *P, const Token *tok)
{
	char	   *name = P->t->al->alloc(P->t->al->ctx, (size_t) tok->len + 1);

	if (name == NULL)
		slf_set_error(P->err, SLF_ERR_NO_MEMORY, -1, NULL, "out of memory compiling a formula");
	else
	{
		memcpy(name, P->s + tok->pos, (size_t) tok->len);
		name[tok->len] = '\0';
	}
	return name;
}

static bool
enter(Parser *P)
{
	if (++P->depth > SLF_MAX_DEPTH)
	{
		slf_set_error(P->err, SLF_ERR_LIMIT, P->tok.pos, NULL,
					  "formula is nested deeper than %d levels", SLF_MAX_DEPTH);
		return false;
	}
	return true;
}

static int	parse_expr(Parser *P);
static int	parse_unary(Parser *P);

static int
node(Parser *P, SlfOp op, int fn, int a, int b, int n, double num)
{
	if (P->t->n_nodes >= SLF_MAX_NODES)
	{
		slf_set_error(P->err, SLF_ERR_LIMIT, P->tok.pos, NULL,
					  "formula has more than %d nodes", SLF_MAX_NODES);
		return -1;
	}
	return slf_node(P->t, op, fn, a, b, n, num, P->err);
}

/* base^e: repeated multiplication for an integer constant exponent */
static int
make_pow(Parser *P, int base, int e)
{
	const SlfNode *en = &P->t->nodes[e];

	if (en->op == OP_NUM && en->num == floor(en->num) && fabs(en->num) <= SLF_POWI_MAX)
	{
		if (en->num == 1)
			return base;
		return node(P, OP_POWI, 0, base, -1, (int) en->num, 0);
	}
	return node(P, OP_POW, 0, base, e, 0, 0);
}

/* ")" after an opening parenthesis at open_pos */
static bool
expect_rparen(Parser *P, int open_pos)
{
	if (P->tok.kind == T_RPAREN)
		return next_token(P);
	if (P->tok.kind == T_END)
		slf_set_error(P->err, SLF_ERR_SYNTAX, open_pos, NULL, "missing \")\"");
	else
		syntax_error_at(P, &P->tok);
	return false;
}

static int
parse_call(Parser *P, int fn, const Token *name)
{
	int			args[2] = {-1, -1};
	int			nargs = 0;
	int			open_pos = P->tok.pos;

	if (!enter(P) || !next_token(P))
		return -1;
	for (;;)
	{
		int			a = parse_expr(P);

		if (a < 0)
			return -1;
		if (nargs < 2)
			args[nargs] = a;
		nargs++;
		if (P->tok.kind != T_COMMA)
			break;
		if (!next_token(P))
			return -1;
	}
	if (!expect_rparen(P, open_pos))
		return -1;
	P->depth--;
	if (nargs != slf_fn_info[fn].nargs)
	{
		if (fn == FN_LOG && nargs == 1)
			slf_set_error(P->err, SLF_ERR_FUNCTION, name->pos,
						  "Use ln, log10, log2 or log(b, x): SQL, numpy and R disagree on the base of log.",
						  "function log with one argument is ambiguous");
		else
			slf_set_error(P->err, SLF_ERR_FUNCTION, name->pos, NULL,
						  "function %s takes %d argument%s, not %d", slf_fn_info[fn].name,
						  slf_fn_info[fn].nargs, slf_fn_info[fn].nargs == 1 ? "" : "s", nargs);
		return -1;
	}
	if (fn == FN_POW)
		return make_pow(P, args[0], args[1]);
	/* log(b, x) is FN_LOG with a = b, b = x: ln(x) / ln(b) */
	return node(P, OP_FN, fn, args[0], args[1], 0, 0);
}

static int
parse_primary(Parser *P)
{
	Token		tok = P->tok;

	if (tok.kind == T_NUM)
	{
		if (!next_token(P))
			return -1;
		return node(P, OP_NUM, 0, -1, -1, 0, tok.num);
	}
	if (tok.kind == T_LPAREN)
	{
		int			e;

		if (!enter(P) || !next_token(P) || (e = parse_expr(P)) < 0 || !expect_rparen(P, tok.pos))
			return -1;
		P->depth--;
		return e;
	}
	if (tok.kind == T_IDENT)
	{
		int			fn = find_function(P);
		int			input = find_name(P->t->input_names, P->t->n_inputs, P, &tok);
		bool		is_pi = tok_is(P, "pi");
		int			param;

		if (!next_token(P))
			return -1;
		if (P->tok.kind == T_LPAREN)
		{
			if (fn >= 0)
				return parse_call(P, fn, &tok);
			if (is_pi)
				slf_set_error(P->err, SLF_ERR_FUNCTION, tok.pos, NULL, "pi is a constant, not a function");
			else if (input >= 0)
				slf_set_error(P->err, SLF_ERR_FUNCTION, tok.pos,
							  "Write a multiplication with \"*\", as in N*(...).",
							  "input \"%.*s\" is not a function", tok.len, P->s + tok.pos);
			else
				slf_set_error(P->err, SLF_ERR_FUNCTION, tok.pos, FUNCTION_LIST_HINT,
							  "function \"%.*s\" does not exist", tok.len > 64 ? 64 : tok.len,
							  P->s + tok.pos);
			return -1;
		}
		if (fn >= 0)
		{
			slf_set_error(P->err, SLF_ERR_FUNCTION, tok.pos, NULL,
						  "function %s needs its arguments in parentheses", slf_fn_info[fn].name);
			return -1;
		}
		if (is_pi)
			return node(P, OP_NUM, 0, -1, -1, 0, M_PI);
		if (input >= 0)
			return node(P, OP_INPUT, 0, -1, -1, input, 0);
		param = find_name(P->t->param_names, P->t->n_params, P, &tok);
		if (param < 0)
		{
			if (P->t->n_params == SLF_MAX_PARAMS)
			{
				slf_set_error(P->err, SLF_ERR_LIMIT, tok.pos, NULL,
							  "formula has more than %d parameters", SLF_MAX_PARAMS);
				return -1;
			}
			if ((P->t->param_names[P->t->n_params] = copy_token(P, &tok)) == NULL)
				return -1;
			P->t->param_pos[P->t->n_params] = tok.pos;
			param = P->t->n_params++;
		}
		return node(P, OP_PARAM, 0, -1, -1, param, 0);
	}
	syntax_error_at(P, &tok);
	return -1;
}

/* power := primary ['^' unary]: right-associative, tighter than unary minus */
static int
parse_power(Parser *P)
{
	int			base = parse_primary(P);
	int			e;

	if (base < 0 || P->tok.kind != T_CARET)
		return base;
	if (!enter(P) || !next_token(P) || (e = parse_unary(P)) < 0)
		return -1;
	P->depth--;
	return make_pow(P, base, e);
}

/* unary := '-' unary | power */
static int
parse_unary(Parser *P)
{
	int			a;

	if (P->tok.kind != T_MINUS)
		return parse_power(P);
	if (!enter(P) || !next_token(P) || (a = parse_unary(P)) < 0)
		return -1;
	P->depth--;
	return node(P, OP_NEG, 0, a, -1, 0, 0);
}

/* term := unary (('*' | '/') unary)* */
static int
parse_term(Parser *P)
{
	int			left = parse_unary(P);

	while (left >= 0 && (P->tok.kind == T_STAR || P->tok.kind == T_SLASH))
	{
		SlfOp		op = P->tok.kind == T_STAR ? OP_MUL : OP_DIV;
		int			right;

		if (!next_token(P) || (right = parse_unary(P)) < 0)
			return -1;
		left = node(P, op, 0, left, right, 0, 0);
	}
	return left;
}

/* expr := term (('+' | '-') term)* */
static int
parse_expr(Parser *P)
{
	int			left = parse_term(P);

	while (left >= 0 && (P->tok.kind == T_PLUS || P->tok.kind == T_MINUS))
	{
		SlfOp		op = P->tok.kind == T_PLUS ? OP_ADD : OP_SUB;
		int			right;

		if (!next_token(P) || (right = parse_term(P)) < 0)
			return -1;
		left = node(P, op, 0, left, right, 0, 0);
	}
	return left;
}

/* one input name of the header */
static bool
parse_input(Parser *P)
{
	if (P->tok.kind != T_IDENT)
	{
		syntax_error_at(P, &P->tok);
		return false;
	}
	if (find_function(P) >= 0 || tok_is(P, "pi"))
	{
		slf_set_error(P->err, SLF_ERR_SYNTAX, P->tok.pos,
					  "Function names and pi are reserved; any other name can be an input.",
					  "input name \"%.*s\" is reserved", P->tok.len, P->s + P->tok.pos);
		return false;
	}
	if (find_name(P->t->input_names, P->t->n_inputs, P, &P->tok) >= 0)
	{
		slf_set_error(P->err, SLF_ERR_SYNTAX, P->tok.pos, NULL, "input \"%.*s\" is declared twice",
					  P->tok.len > 64 ? 64 : P->tok.len, P->s + P->tok.pos);
		return false;
	}
	if (P->t->n_inputs == SLF_MAX_INPUTS)
	{
		slf_set_error(P->err, SLF_ERR_LIMIT, P->tok.pos, NULL,
					  "formula has more than %d inputs", SLF_MAX_INPUTS);
		return false;
	}
	if ((P->t->input_names[P->t->n_inputs] = copy_token(P, &P->tok)) == NULL)
		return false;
	P->t->n_inputs++;
	return next_token(P);
}

/* header := IDENT '=>' | '(' IDENT (',' IDENT)* ')' '=>' */
static bool
parse_header(Parser *P)
{
	bool		has_arrow = false;

	for (int i = 0; i + 1 < P->len; i++)
		if (P->s[i] == '=' && P->s[i + 1] == '>')
			has_arrow = true;
	if (!has_arrow)
	{
		slf_set_error(P->err, SLF_ERR_SYNTAX, P->tok.pos, HEADER_HINT,
					  "missing header naming the inputs, such as \"(N, D) =>\"");
		return false;
	}
	if (P->tok.kind == T_LPAREN)
	{
		int			open_pos = P->tok.pos;

		if (!next_token(P))
			return false;
		for (;;)
		{
			if (!parse_input(P))
				return false;
			if (P->tok.kind != T_COMMA)
				break;
			if (!next_token(P))
				return false;
		}
		if (!expect_rparen(P, open_pos))
			return false;
	}
	else if (!parse_input(P))
		return false;
	if (P->tok.kind != T_ARROW)
	{
		slf_set_error(P->err, SLF_ERR_SYNTAX, P->tok.pos, HEADER_HINT,
					  "missing \"=>\" after the inputs");
		return false;
	}
	return next_token(P);
}

bool
slf_parse(SlfTree *t, const char *text, size_t len, SlfError *err)
{
	Parser		P = {t, text, (int) len, 0, {T_END, 0, 0, 0}, 0, err};

	if (len > SLF_MAX_TEXT)
	{
		slf_set_error(err, SLF_ERR_LIMIT, -1, NULL, "formula is longer than %d bytes", SLF_MAX_TEXT);
		return false;
	}
	if (!tree_init(t, err))
		return false;
	/* every byte is checked before any token: a NUL or non-ASCII byte is an error wherever it is */
	for (size_t i = 0; i < len; i++)
		if ((unsigned char) text[i] >= 0x80 || text[i] == '\0')
		{
			slf_set_error(err, SLF_ERR_SYNTAX, (int) i,
						  "A formula is ASCII text: letters, digits, _ and + - * / ^ ( ) , . =>.",
						  "invalid byte 0x%02x in formula", (unsigned char) text[i]);
			return false;
		}
	if (!next_token(&P) || !parse_header(&P))
		return false;
	t->root = parse_expr(&P);
	if (t->root < 0)
		return false;
	if (P.tok.kind != T_END)
	{
		if (P.tok.kind == T_RPAREN)
			slf_set_error(err, SLF_ERR_SYNTAX, P.tok.pos, NULL, "syntax error at or near \")\"");
		else
			syntax_error_at(&P, &P.tok);
		return false;
	}
	return true;
}
