/** The Slack messages of the idle check: who, which instance, how long, and what to do about it. */
import type { ManagedInstance } from "../shared/managed-instances";

const hours = (n: number) => `${n} hour${n === 1 ? "" : "s"}`;
const at = (d: Date) => `${d.toISOString().slice(11, 16)} UTC`;

export function warning(i: ManagedInstance, idle: number, stopAfter: number, now: Date): string {
  const stopAt = new Date(now.getTime() + (stopAfter - idle) * 3600_000);
  return [
    `<@${i.slackUser}> your GPU instance *${i.name}* (${i.id}, ${i.instanceType}) has been idle for ${hours(idle)}:`,
    `no GPU work, CPU and network low. It will be stopped after ${hours(stopAfter)} idle, at the check around ${at(stopAt)}.`,
    `To keep it running: \`/gpu keep ${i.name} <hours>\`. Any GPU work resets the count.`,
  ].join(" ");
}

export function stopped(i: ManagedInstance, idle: number): string {
  return [
    `<@${i.slackUser}> your GPU instance *${i.name}* (${i.id}, ${i.instanceType}) was idle for ${hours(idle)} and has been stopped.`,
    `Its disk is kept. Start it again with \`/gpu start ${i.name}\`.`,
  ].join(" ");
}
