# scalinglaw: PGXS build (see README.md)
EXTENSION = scalinglaw
MODULE_big = scalinglaw
DATA = scalinglaw--1.0.sql scalinglaw--1.0--1.1.sql scalinglaw--1.1--1.2.sql \
	scalinglaw--1.2--1.3.sql scalinglaw--1.3--1.4.sql
OBJS = \
	src/core/sl_alloc.o \
	src/core/exact_sum.o \
	src/core/point_set.o \
	src/core/lsq.o \
	src/core/varpro.o \
	src/core/log_law.o \
	src/core/fit_points.o \
	src/core/bvls.o \
	src/core/lowdisc.o \
	src/core/engine.o \
	src/core/formula.o \
	src/core/formula_parse.o \
	src/core/formula_linear.o \
	src/core/formula_program.o \
	src/core/formula_eval.o \
	src/core/formula_roles.o \
	src/core/formula_fit.o \
	src/core/compute_optimal.o \
	src/core/std_errors.o \
	src/core/student_t.o \
	src/core/power_law_errors.o \
	src/core/fit_report.o \
	src/pg/sl_pg.o \
	src/pg/large_values.o \
	src/pg/options.o \
	src/pg/fit_agg.o \
	src/pg/power_law_agg.o \
	src/pg/log_law_agg.o \
	src/pg/fit_state.o \
	src/pg/array_inputs.o \
	src/pg/formula_cache.o \
	src/pg/formula_inputs.o \
	src/pg/formula_options.o \
	src/pg/scaling_law_agg.o \
	src/pg/scaling_law_predict.o \
	src/pg/compute_optimal.o \
	src/core/svg_axis.o \
	src/core/svg_plot.o \
	src/pg/svg_common.o \
	src/pg/svg_agg.o \
	src/pg/svg_report.o

REGRESS = upgrade state_space fit_power_law fit_log_law options options_plans bad_input \
	predict_loss parallel plan_invariance determinism fit_points fit_points_errors fit_points_n \
	incremental \
	superuser bounds extremes scaling_law scaling_law_groups published_laws compute_optimal std_errors \
	predict_interval fit_status plots
REGRESS_OPTS = --load-extension=scalinglaw

PG_CPPFLAGS = -Isrc/core
# Warnings on, but not as errors: a newer compiler must not break a user's
# build.  Only CI makes them errors, through COPT (test/run_all.sh); nothing
# here does.  -ffp-contract=off: no fused
# multiply-add, so the fits give the same bits on every compiler and CPU;
# the bitcode PostgreSQL's JIT may inline into queries gets it too.
PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -ffp-contract=off
SHLIB_LINK = -llapacke -lm

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
# header dependencies (.deps/*.Po), also on servers built without --enable-depend
override autodepend = yes
include $(PGXS)

override BITCODE_CFLAGS += -ffp-contract=off
# the bitcode follows its object, which knows the headers it includes
$(patsubst %.o,%.bc,$(OBJS)): %.bc: %.o

.PHONY: check-core
check-core:
	$(MAKE) -C test/core check

# benchmark suite (issue 3): temporary cluster, scalinglaw vs regr_slope and
# PL/Python scipy; QUICK=1 for a small run.  Measures the installed build.
.PHONY: bench
bench: all
	bash test/bench/run.sh

# ---- hostile-input testing (issue 8): the commands of README's Contributing
# fuzz: libFuzzer targets of the core under ASan/UBSan (test/fuzz/run.sh)
# installcheck-valgrind: the REGRESS suites on a temporary cluster whose
# server runs under valgrind memcheck (test/valgrind/run.sh; measures the
# installed build)
.PHONY: fuzz installcheck-valgrind
fuzz:
	bash test/fuzz/run.sh
installcheck-valgrind:
	PG_CONFIG=$(PG_CONFIG) bash test/valgrind/run.sh
