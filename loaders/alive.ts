// Whether a process is still running: folders named after the process that made them
// (temporary tables, a build's extra page roots) are swept once it is gone.
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
