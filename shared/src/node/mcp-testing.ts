// Test helpers for the MCP servers, used with the SDK's own Client as a released assistant uses it:
// it lists the tools first (so the SDK checks every structuredContent against the tool's outputSchema),
// and each result is checked once more against that schema by an independent validator.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';

/** One call of the every-tool check: the tool, valid arguments, and what the answer must hold (throw or return a problem). */
export interface ToolCase {
  tool: string;
  args?: Record<string, unknown> | (() => Record<string, unknown> | Promise<Record<string, unknown>>);
  /** A problem in words, or nothing when the answer is right; it may also throw (an expect). */
  check?: (structured: Record<string, unknown>, result: CallToolResult) => string | void | Promise<string | void>;
}

export interface EveryToolResult {
  /** Every problem found, one line each; empty when every listed tool answered within its schema. */
  problems: string[];
  tools: Tool[];
  results: Map<string, CallToolResult>;
}

/**
 * Lists the tools, then runs the cases in order. A listed tool without a case, a case for a tool that
 * is not listed, a tool error, a missing structuredContent, or one that breaks the declared outputSchema
 * (as the SDK client or an independent validator sees it) is a problem.
 */
export async function callEveryListedTool(client: Client, cases: ToolCase[]): Promise<EveryToolResult> {
  const { tools } = await client.listTools();
  const problems: string[] = [];
  const results = new Map<string, CallToolResult>();
  const listed = new Set(tools.map((t) => t.name));
  const covered = new Set(cases.map((c) => c.tool));
  for (const name of listed) if (!covered.has(name)) problems.push(`${name}: listed, but the test has no case for it`);
  for (const name of covered)
    if (!listed.has(name)) problems.push(`${name}: has a case, but the server does not list it`);
  const validator = new AjvJsonSchemaValidator();
  for (const c of cases) {
    const tool = tools.find((t) => t.name === c.tool);
    if (!tool) continue;
    const args = typeof c.args === 'function' ? await c.args() : (c.args ?? {});
    let result: CallToolResult;
    try {
      result = (await client.callTool({ name: c.tool, arguments: args })) as CallToolResult;
    } catch (err) {
      problems.push(`${c.tool}: the client refused the answer: ${(err as Error).message}`);
      continue;
    }
    results.set(c.tool, result);
    if (result.isError) {
      problems.push(`${c.tool}: a tool error: ${JSON.stringify(result.content).slice(0, 500)}`);
      continue;
    }
    if (!tool.outputSchema) {
      problems.push(`${c.tool}: declares no outputSchema`);
      continue;
    }
    if (!result.structuredContent) {
      problems.push(`${c.tool}: no structuredContent`);
      continue;
    }
    const verdict = validator.getValidator(tool.outputSchema)(result.structuredContent);
    if (!verdict.valid) {
      problems.push(`${c.tool}: structuredContent breaks its outputSchema: ${verdict.errorMessage}`);
      continue;
    }
    try {
      const problem = await c.check?.(result.structuredContent, result);
      if (typeof problem === 'string' && problem) problems.push(`${c.tool}: ${problem}`);
    } catch (err) {
      problems.push(`${c.tool}: ${(err as Error).message}`);
    }
  }
  return { problems, tools, results };
}

/** The four hints of each listed tool, for comparing with what each tool can do. */
export function annotationsOf(
  tools: Tool[],
): Record<
  string,
  { readOnlyHint?: boolean; destructiveHint?: boolean; idempotentHint?: boolean; openWorldHint?: boolean }
> {
  return Object.fromEntries(
    tools.map((t) => [
      t.name,
      {
        readOnlyHint: t.annotations?.readOnlyHint,
        destructiveHint: t.annotations?.destructiveHint,
        idempotentHint: t.annotations?.idempotentHint,
        openWorldHint: t.annotations?.openWorldHint,
      },
    ]),
  );
}
