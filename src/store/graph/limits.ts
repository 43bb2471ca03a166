// The graph's query limits, in a file of their own so the protocol (bundled into the extension too) can share
// them without pulling in the store code.
export const MAX_DEPTH = 5;
export const MAX_PATH_DEPTH = 6;
