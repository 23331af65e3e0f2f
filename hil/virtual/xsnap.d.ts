// The part of @agoric/xsnap's Node API the virtual device uses (the package ships no type declarations).
declare module '@agoric/xsnap' {
  export interface XsnapWorker {
    evaluate(code: string): Promise<unknown>;
    issueCommand(msg: Uint8Array): Promise<{ reply: Uint8Array }>;
    close(): Promise<void>;
    terminate(): Promise<void>;
  }
  export function xsnap(options: {
    name: string;
    os: string;
    spawn: unknown;
    fs: unknown;
    stdout?: 'inherit' | 'ignore';
    stderr?: 'inherit' | 'ignore';
    meteringLimit?: number;
    handleCommand?: (msg: Uint8Array) => Promise<Uint8Array> | Uint8Array;
  }): Promise<XsnapWorker>;
}
