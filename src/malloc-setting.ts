/**
 * glibc's mmap threshold, fixed at its 128 KiB start for the processes the project starts (README, "Memory and
 * speed at scale"). Left to itself glibc raises the threshold to the size of each large block freed, and Node frees
 * blocks of a few MB early (file reads, WebAssembly compile zones): from then on blocks below that size come from
 * the arenas, whose freed holes stay resident. A process reads the variable only when it starts, so it is set for
 * the children we start (the vocabulary process, the bot processes of `npm run start:sharded`), and by
 * `npm run lessons` and the Docker image for the rest. Elsewhere than glibc an unread variable.
 */
export const MALLOC_MMAP_THRESHOLD = '131072';

/** The variable for a child's environment: the starting process's own value wins when it has one. */
export function mallocMmapThreshold(own: NodeJS.ProcessEnv = process.env): { MALLOC_MMAP_THRESHOLD_: string } {
  return { MALLOC_MMAP_THRESHOLD_: own.MALLOC_MMAP_THRESHOLD_ ?? MALLOC_MMAP_THRESHOLD };
}
