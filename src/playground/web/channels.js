// @ts-check

/**
 * The channel the page shows after (re)loading the server: the one it showed when the server still has it, else
 * #lessons (a restarted playground is a new local Discord: the threads of the last one are gone), else the first.
 * @param {readonly { id: string; name: string }[]} channels
 * @param {string} current
 */
export function channelToShow(channels, current) {
  if (channels.some((channel) => channel.id === current)) return current;
  return channels.find((channel) => channel.name === 'lessons')?.id ?? channels[0]?.id ?? '';
}
