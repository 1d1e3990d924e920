import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values<O extends Options> = ReturnType<
  typeof parseArgs<{ options: O; strict: true; allowPositionals: false }>
>['values'];

/**
 * The agent commands' flags: strict (a typo is an error, with the usage), and --help (which the
 * options must include) prints the usage. Returns the values, or the exit code to stop with.
 */
export function readCommandLine<const O extends Options & { help: { type: 'boolean' } }>(
  options: O,
  usage: string,
  argv: string[] = process.argv.slice(2),
): { values: Values<O> } | { exitCode: number } {
  let values: Values<O>;
  try {
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${usage}\n`);
    return { exitCode: 2 };
  }
  if ((values as { help?: boolean }).help) {
    process.stdout.write(usage + '\n');
    return { exitCode: 0 };
  }
  return { values };
}
