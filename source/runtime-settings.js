// Process-wide settings that must be in place before React, Ink and the engine are loaded.
// Plain JavaScript: bin.js imports it before tsx is registered.
import * as nodeModule from 'node:module';

// React's development build checks every render and costs several times the CPU; pgha is not a React
// dev session. A developer can still export NODE_ENV=development.
process.env.NODE_ENV ??= 'production';

// In a terminal pgha's screen is a conversation: Ink, when CI or CONTINUOUS_INTEGRATION is set, draws
// nothing live until the end, so progress, host-key questions and the Retry/Skip/Quit prompt would be
// invisible and the run would look hung. Only a terminal on both sides counts; pipes keep the logs.
if (process.stdin.isTTY && process.stdout.isTTY) {
	delete process.env.CI;
	delete process.env.CONTINUOUS_INTEGRATION;
}

// Ink gets leaner versions of two of its imports (module-hooks.js says which and why). register is
// Node 20.6+, as tsx is.
nodeModule.register?.('./module-hooks.js', import.meta.url);
