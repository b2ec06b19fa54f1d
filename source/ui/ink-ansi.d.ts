// ink-ansi.js returns what @alcalzone/ansi-tokenize returns, with the same API.
export * from '@alcalzone/ansi-tokenize';
