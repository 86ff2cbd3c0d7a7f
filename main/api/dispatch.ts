/**
 * Turns untrusted calls ("jobs.start", [..args]) into typed handler calls: checks the method exists, validates the
 * arguments against the contract's schema, admits every path argument through the host's `PathFence`, and converts
 * every failure into a readable `ApiErrorShape`.
 * Both hosts (Electron IPC and the browser mode's WebSocket) go through this one function.
 */
import type { z } from 'zod';
import {
  apiContract,
  PromethiumError,
  type ApiErrorShape,
  type ArgsOf,
  type MethodName,
  type MethodSpec,
  type Namespace,
  type ResultOf,
} from '../../preload/contract';
import { toApiError } from '../compute/apiErrors';
import { admitPathArguments, findPathArguments, type PathArgument, type PathFence } from './pathFence';

export type ApiHandlers = {
  [N in Namespace]: {
    [M in MethodName<N>]: (...args: ArgsOf<N, M>) => Promise<ResultOf<N, M>> | ResultOf<N, M>;
  };
};

export type CallOutcome = { ok: true; value: unknown } | { ok: false; error: ApiErrorShape };

type AnyHandler = (...args: unknown[]) => unknown;

function lookup(
  handlers: ApiHandlers,
  method: unknown,
): { spec: MethodSpec<z.ZodTuple, unknown>; handler: AnyHandler } {
  if (typeof method !== 'string' || !/^[a-zA-Z]+\.[a-zA-Z]+$/.test(method)) {
    throw new PromethiumError('unknown-method', `not an API method name: ${JSON.stringify(method)?.slice(0, 80)}`);
  }
  const [ns, name] = method.split('.') as [string, string];
  const methods = Object.hasOwn(apiContract, ns) ? (apiContract as Record<string, object>)[ns] : undefined;
  const spec = methods && Object.hasOwn(methods, name) ? (methods as Record<string, unknown>)[name] : undefined;
  const handler = (handlers as Record<string, Record<string, AnyHandler>>)[ns]?.[name];
  if (!spec || !handler) throw new PromethiumError('unknown-method', `no such API method: ${method}`);
  return { spec: spec as MethodSpec<z.ZodTuple, unknown>, handler };
}

function describeIssue(method: string, issue: z.core.$ZodIssue): string {
  const [index, ...rest] = issue.path;
  const where =
    typeof index === 'number'
      ? `argument ${index + 1}${rest.length ? ` (${rest.map(String).join('.')})` : ''}`
      : 'arguments';
  return `${method}: ${where}: ${issue.message}`;
}

export function validateArgs(method: string, schema: z.ZodTuple, args: unknown): unknown[] {
  if (!Array.isArray(args)) throw new PromethiumError('invalid-argument', `${method}: arguments must be a list`);
  const parsed = schema.safeParse(args);
  if (!parsed.success) {
    const messages = parsed.error.issues.slice(0, 3).map((issue) => describeIssue(method, issue));
    throw new PromethiumError('invalid-argument', messages.join('; '));
  }
  return parsed.data as unknown[];
}

export function createDispatcher(
  handlers: ApiHandlers,
  fence: PathFence,
): (method: unknown, args: unknown) => Promise<CallOutcome> {
  const pathArgumentsOf = new Map<string, PathArgument[]>();
  return async (method, args) => {
    try {
      const { spec, handler } = lookup(handlers, method);
      const name = method as string;
      const valid = validateArgs(name, spec.args, args);
      if (!pathArgumentsOf.has(name)) pathArgumentsOf.set(name, findPathArguments(spec.args));
      await admitPathArguments(fence, pathArgumentsOf.get(name)!, valid);
      const value = await handler(...valid);
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error: toApiError(error, typeof method === 'string' ? method : 'call') };
    }
  };
}
