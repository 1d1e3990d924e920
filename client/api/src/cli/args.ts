/** A tiny --flag value / --flag=value parser; unknown flags are errors so typos do not pass silently. */
export function parseArgs(
  argv: string[],
  known: Record<string, 'string' | 'boolean'>,
): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const [rawName, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const kind = known[rawName];
    if (!kind)
      throw new Error(
        `unknown option --${rawName}; known: ${Object.keys(known)
          .map((k) => `--${k}`)
          .join(', ')}`,
      );
    if (kind === 'boolean') {
      out[rawName] = true;
    } else {
      const value = inline ?? argv[++i];
      if (value === undefined || (inline === undefined && value.startsWith('--')))
        throw new Error(`--${rawName} needs a value`);
      out[rawName] = value;
    }
  }
  return out;
}
