# shares.gp - dominant share of each framework over time, from timeseries.csv.
# Set with -e: datafile, outbase, first (column of the first fw_*_share_frac),
# n (number of frameworks), titles (framework names, one word each).
set datafile separator comma
set title 'Dominant share per framework' noenhanced
set xlabel 'simulated time (s)'
set ylabel 'dominant share (fraction of cluster)'
set yrange [0:1.05]
set grid
set key outside right top noenhanced
set style data lines
if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) { set terminal pngcairo size 960,540 noenhanced } else { set terminal png size 960,540 }
set output outbase.'.png'
plot for [i=1:n] datafile skip 1 using 1:(column(first+i-1)) lw 2 title word(titles,i)
set terminal svg size 960,540 noenhanced
set output outbase.'.svg'
replot
set output
