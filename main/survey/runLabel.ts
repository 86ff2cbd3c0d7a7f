/** How a derived volume and its job are named (shared by the volume service and the compute process's job titles). */

/**
 * The method, for a model its test-time augmentation, Monte Carlo ensemble and strength check, and whether only an area
 * was replaced:
 * runs that differ get different names.
 */
export function describeRun(
  methodName: string,
  isModel: boolean,
  options: { tta: boolean; ensemble: number; fullStrength?: boolean; polygon?: readonly unknown[] | null },
): string {
  return [
    methodName,
    ...(isModel && options.tta ? ['TTA'] : []),
    ...(isModel && options.ensemble > 1 ? [`ensemble ${options.ensemble}`] : []),
    ...(isModel && options.fullStrength ? ['full strength'] : []),
    ...(options.polygon ? ['inside an area'] : []),
  ].join(', ');
}
