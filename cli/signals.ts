// Resolves after the first SIGINT or SIGTERM has run the cleanup; a second signal exits at once.
export function onShutdown(cleanup: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const handler = () => {
      if (stopping) process.exit(1);
      stopping = true;
      cleanup().then(resolve, (err) => {
        process.stderr.write(`shutdown: ${err}\n`);
        resolve();
      });
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}
