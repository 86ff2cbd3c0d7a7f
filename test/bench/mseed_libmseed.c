/*
 * The peer of `npm run bench -- mseed`: libmseed (Debian's libmseed-dev) reading a whole miniSEED file from memory
 * the way Promethium's reader does: every record parsed and its samples decoded (msr_parse with data), and the
 * records joined into continuous traces (mst_addmsrtogroup). Prints JSON: medians of RUNS runs after a warm-up, in
 * CPU milliseconds of this process and wall milliseconds.
 * Build: gcc -O2 -o mseed_libmseed mseed_libmseed.c -lmseed
 */
#include <libmseed.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define RUNS 7

static double ms_of (clockid_t clock)
{
  struct timespec t;
  clock_gettime (clock, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int compare_doubles (const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main (int argc, char **argv)
{
  if (argc != 2) { fprintf (stderr, "usage: %s FILE.mseed\n", argv[0]); return 2; }
  FILE *file = fopen (argv[1], "rb");
  if (!file) { perror (argv[1]); return 1; }
  fseek (file, 0, SEEK_END);
  long size = ftell (file);
  fseek (file, 0, SEEK_SET);
  char *bytes = malloc (size);
  if (fread (bytes, 1, size, file) != (size_t)size) { perror ("read"); return 1; }
  fclose (file);

  double cpu[RUNS], wall[RUNS];
  long long samples = 0;
  for (int run = 0; run <= RUNS; run++)
  {
    double cpu0 = ms_of (CLOCK_PROCESS_CPUTIME_ID), wall0 = ms_of (CLOCK_MONOTONIC);
    MSTraceGroup *group = mst_initgroup (NULL);
    MSRecord *msr = NULL;
    samples = 0;
    for (long at = 0; at < size;)
    {
      if (msr_parse (bytes + at, (int)(size - at), &msr, 0, 1, 0) != MS_NOERROR) { fprintf (stderr, "parse error at %ld\n", at); return 1; }
      mst_addmsrtogroup (group, msr, 0, -1.0, -1.0);
      samples += msr->numsamples;
      at += msr->reclen;
    }
    msr_free (&msr);
    mst_freegroup (&group);
    if (run > 0)
    {
      cpu[run - 1] = ms_of (CLOCK_PROCESS_CPUTIME_ID) - cpu0;
      wall[run - 1] = ms_of (CLOCK_MONOTONIC) - wall0;
    }
  }
  qsort (cpu, RUNS, sizeof (double), compare_doubles);
  qsort (wall, RUNS, sizeof (double), compare_doubles);
  printf ("{\"cpuMs\": %.3f, \"wallMs\": %.3f, \"samples\": %lld}\n", cpu[RUNS / 2], wall[RUNS / 2], samples);
  free (bytes);
  return 0;
}
