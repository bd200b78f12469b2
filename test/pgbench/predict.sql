-- predictions from 50 stored fits
\set g random(1, 951)
SELECT sum(predict_loss(fit, 1e7 * :g)) FROM fits WHERE grp BETWEEN :g AND :g + 49;
