// node:crypto, loaded at first use: a CLI start that never needs it skips its 3-5 ms (the state
// dir's files, tokens and lock are the only users on the CLI's paths).
export const nodeCrypto = () => process.getBuiltinModule('node:crypto');
