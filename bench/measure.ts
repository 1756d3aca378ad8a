/**
 * Throughput of an in-process loop, the way every in-process bench here states it: items per
 * second of wall time and of this process's CPU time, as the median of ten rounds after a
 * warm-up, and the best round's CPU rate. On a shared machine one long run mostly measures the
 * neighbours, and the first thousands of calls also measure the JIT compiling the code.
 */
export interface Throughput {
  wall: number;
  cpu: number;
  bestCpu: number;
}

export function measureThroughput(
  count: number,
  run: (index: number) => void,
  { warmup = 2000, rounds = 10 }: { warmup?: number; rounds?: number } = {},
): Throughput {
  for (let index = 0; index < Math.min(warmup, count); index++) run(index);
  const perRound = Math.max(1, Math.floor(count / rounds));
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const cpuBefore = process.cpuUsage();
    const started = process.hrtime.bigint();
    for (let index = round * perRound; index < (round + 1) * perRound; index++) run(index);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const used = process.cpuUsage(cpuBefore);
    wall.push(perRound / seconds);
    cpu.push(perRound / ((used.user + used.system) / 1e6));
  }
  const median = (values: number[]): number => Math.round([...values].sort((a, b) => a - b)[rounds >> 1]!);
  return { wall: median(wall), cpu: median(cpu), bestCpu: Math.round(Math.max(...cpu)) };
}
