# delay_cdf.gp - CDF of task scheduling delay (submit -> launch), overall and
# per framework, from plots/delay_cdf.dat (one block per curve).
# Set with -e: datafile, outbase, n (blocks), titles (one word per block).
set title 'Task scheduling delay (submit to launch), CDF' noenhanced
set xlabel 'scheduling delay (s, log scale)'
set ylabel 'fraction of tasks'
set logscale x
set yrange [0:1.02]
set grid
set key right bottom noenhanced
if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) { set terminal pngcairo size 960,540 noenhanced } else { set terminal png size 960,540 }
set output outbase.'.png'
plot for [i=0:n-1] datafile index i using 1:2 with steps lw (i == 0 ? 3 : 1.5) title word(titles,i+1)
set terminal svg size 960,540 noenhanced
set output outbase.'.svg'
replot
set output
