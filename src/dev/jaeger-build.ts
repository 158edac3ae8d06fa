// `npm run jaeger:build`: builds Jaeger v1.75.0 into the tool cache (once), for the Jaeger trace test and local viewing.
import { resolveJaeger } from './jaeger';

resolveJaeger((message) => console.log(message)).then(
  (path) => {
    if (!path) {
      console.error('jaeger:build: no Go found (PATH or /usr/local/go/bin/go); install Go 1.24+ or set JAEGER_PATH to a jaeger binary');
      process.exitCode = 1;
      return;
    }
    console.log(`jaeger: ${path}`);
  },
  (error: unknown) => {
    console.error(`jaeger:build: ${(error as Error).message}`);
    process.exitCode = 1;
  },
);
