/**
 * Timer triggers: NCRONTAB schedules with seconds (e.g. every five minutes: `0 0/5 * * * *`), `%SETTING%` expressions,
 * `runOnStartup`, and the timer object the host passes (`isPastDue`, `scheduleStatus`).
 */
import { CronExpressionParser } from 'cron-parser';
import { invokeFunction, type HostLog } from './invoke.js';
import { stringProperty, type ProgrammingModel, type Registration } from './registrations.js';

export interface TimerTriggerOptions {
  model: ProgrammingModel;
  registration: Registration;
  resolveSetting(value: string): string;
  log: HostLog;
}

export function startTimerTrigger(options: TimerTriggerOptions): { stop(): Promise<void> } {
  const functionName = options.registration.metadata.name;
  const schedule = options.resolveSetting(stringProperty(options.registration.trigger, 'schedule'));
  const expression = CronExpressionParser.parse(schedule, { tz: 'UTC' });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  let last: Date | undefined;

  const fire = (due: Date): void => {
    const next = expression.next().toDate();
    const timerInfo = {
      Schedule: { AdjustForDST: false },
      ScheduleStatus: {
        Last: (last ?? due).toISOString(),
        Next: next.toISOString(),
        LastUpdated: new Date().toISOString(),
      },
      IsPastDue: Date.now() - due.getTime() > 1000,
    };
    last = due;
    running = invokeFunction(
      options.model,
      options.registration,
      { inputData: { json: JSON.stringify(timerInfo) } },
      options.log,
    )
      .then(() => undefined)
      .catch((error: unknown) => {
        options.log(
          'error',
          functionName,
          `timer run failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      })
      .finally(() => scheduleAt(next));
  };
  const scheduleAt = (at: Date): void => {
    if (stopped) return;
    timer = setTimeout(() => fire(at), Math.max(0, at.getTime() - Date.now()));
  };
  if (options.registration.trigger.runOnStartup === true) fire(new Date());
  else scheduleAt(expression.next().toDate());

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
