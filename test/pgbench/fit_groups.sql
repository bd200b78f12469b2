-- fits over a random subset of 10 groups of the runs table
\set g random(1, 991)
SELECT grp, fit_power_law(n, loss) FROM runs WHERE grp BETWEEN :g AND :g + 9 GROUP BY grp;
