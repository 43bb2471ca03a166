declare const __CAIRN_VERSION__: string | undefined;

/** Set by esbuild from package.json; "dev" when running from source (tests). */
export const CAIRN_VERSION: string = typeof __CAIRN_VERSION__ === 'string' ? __CAIRN_VERSION__ : 'dev';
