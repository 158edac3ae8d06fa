import { installStopSignalHandlers } from './stop-signals';

// Imported first by cli.ts, so SIGTERM/SIGINT are handled while the rest of the CLI still loads.
installStopSignalHandlers();
