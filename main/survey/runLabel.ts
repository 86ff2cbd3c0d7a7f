/** How a derived volume and its job are named (shared by the volume service and the compute process's job titles). */

/** The method, and for a model its test-time augmentation and Monte Carlo ensemble: runs that differ get different names. */
export function describeRun(methodName: string, isModel: boolean, options: { tta: boolean; ensemble: number }): string {
  if (!isModel) return methodName;
  return [
    methodName,
    ...(options.tta ? ['TTA'] : []),
    ...(options.ensemble > 1 ? [`ensemble ${options.ensemble}`] : []),
  ].join(', ');
}
