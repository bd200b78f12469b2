# scalinglaw: PGXS build (see README.md)
EXTENSION = scalinglaw
MODULE_big = scalinglaw
DATA = scalinglaw--1.0.sql scalinglaw--1.0--1.1.sql
OBJS = \
	src/core/sl_alloc.o \
	src/core/exact_sum.o \
	src/core/point_set.o \
	src/core/lsq.o \
	src/core/varpro.o \
	src/core/log_law.o \
	src/core/fit_points.o \
	src/pg/sl_pg.o \
	src/pg/options.o \
	src/pg/power_law_agg.o \
	src/pg/log_law_agg.o \
	src/pg/fit_state.o

REGRESS = upgrade fit_power_law fit_log_law options bad_input parallel determinism \
	fit_points fit_points_errors incremental
REGRESS_OPTS = --load-extension=scalinglaw

PG_CPPFLAGS = -Isrc/core
PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Werror
SHLIB_LINK = -llapacke -lm

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS tracks header dependencies only on servers built with --enable-depend:
# rebuild every object when any of our headers changes (struct layouts are shared)
$(OBJS): $(wildcard src/core/*.h src/pg/*.h)

.PHONY: check-core
check-core:
	$(MAKE) -C test/core check

# benchmark suite (issue 3): temporary cluster, scalinglaw vs regr_slope and
# PL/Python scipy; QUICK=1 for a small run.  Measures the installed build.
.PHONY: bench
bench: all
	bash test/bench/run.sh
