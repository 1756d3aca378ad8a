/**
 * `AzureWebJobs.<FunctionName>.Disabled`: the app setting Azure Functions reads to leave a
 * function's trigger unstarted (the portal's Disable button sets it). `true` or `1` disables;
 * a disabled HTTP function answers 404, as on the real host.
 */
export function disabledSettingName(functionName: string): string {
  return `AzureWebJobs.${functionName}.Disabled`;
}

export function isFunctionDisabled(functionName: string, settings: NodeJS.ProcessEnv): boolean {
  const value = settings[disabledSettingName(functionName)]?.trim().toLowerCase();
  return value === 'true' || value === '1';
}
