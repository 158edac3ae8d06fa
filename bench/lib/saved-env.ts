/** Captures the named variables of process.env; the returned function puts them back as they were. */
export function saveEnv(names: readonly string[]): () => Promise<void> {
  const saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
  return () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    return Promise.resolve();
  };
}
