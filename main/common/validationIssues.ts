/**
 * A schema's refusal as one line for the person who wrote the file: each problem as "field.path: message" (the top
 * level named as such), joined by "; ". Takes zod's issues by shape, so this pure module needs no zod.
 */
export interface ValidationIssue {
  path: readonly PropertyKey[];
  message: string;
}

export function describeIssues(issues: readonly ValidationIssue[]): string {
  return issues.map((issue) => `${issue.path.map(String).join('.') || '(top level)'}: ${issue.message}`).join('; ');
}
