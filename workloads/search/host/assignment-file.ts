/**
 * Follows a host's assignment document on disk (a ConfigMap key mounted as a file: the kubelet
 * replaces it atomically when the controller changes the ConfigMap). Polled, not watched:
 * inotify on a ConfigMap mount sees symlink swaps, not writes, and a poll every few seconds costs
 * nothing. A document that cannot be read or decoded is reported and the host keeps what it has.
 */
import { readFile } from "node:fs/promises";
import type { Logger } from "../../shared/log";
import { decodeAssignment, type HostAssignment } from "../segments/assignment";

export class AssignmentFile {
  private last: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly file: string,
    private readonly pollMs: number,
    private readonly log: Logger,
    private readonly onChange: (assignment: HostAssignment) => Promise<unknown>,
  ) {}

  /** Reads the document once (applying it if it changed); false when it could not be used. */
  async check(): Promise<boolean> {
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch (err) {
      this.log.error(
        { file: this.file, err: (err as Error).message },
        "assignment not readable; keeping the segments served",
      );
      return false;
    }
    if (text === this.last) return true;
    let assignment: HostAssignment;
    try {
      assignment = decodeAssignment(text, this.file);
    } catch (err) {
      this.log.error({ err: (err as Error).message }, "assignment refused; keeping the segments served");
      this.last = text; // reported once, not every poll
      return false;
    }
    this.last = text;
    await this.onChange(assignment);
    return true;
  }

  /** Checks now, then every pollMs until `stop`. */
  async start(): Promise<boolean> {
    const first = await this.check();
    const loop = () => {
      if (this.stopped) return;
      this.timer = setTimeout(() => void this.check().finally(loop), this.pollMs);
    };
    loop();
    return first;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
