# compare.gp - one resource's allocated fraction over time for several runs
# on one chart (mesocosm compare -o). Set with -e: n (runs), f1..fn
# (timeseries.csv paths), c1..cn (column of <res>_allocated_frac in each),
# t1..tn (run names), res (resource name), outbase (output path without
# extension). Writes outbase.png and outbase.svg.
set datafile separator comma
set title sprintf('%s allocated over time, by run', res) noenhanced
set xlabel 'simulated time (s)'
set ylabel sprintf('%s allocated (fraction of cluster)', res) noenhanced
set yrange [0:1.05]
set grid
set key outside right top noenhanced
set style data lines
if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) { set terminal pngcairo size 960,540 noenhanced } else { set terminal png size 960,540 }
set output outbase.'.png'
plot for [i=1:n] value(sprintf('f%d', i)) skip 1 using 1:(column(value(sprintf('c%d', i)))) lw 2 title value(sprintf('t%d', i))
set terminal svg size 960,540 noenhanced
set output outbase.'.svg'
replot
set output
