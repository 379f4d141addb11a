// The part of fs-native-extensions that nslab uses (the package ships no type declarations).
declare module 'fs-native-extensions' {
  /** Take an exclusive (or shared) lock on the whole file without waiting; false if held elsewhere. */
  export function tryLock(fd: number, offset?: number, length?: number, opts?: { shared?: boolean }): boolean;
  export function unlock(fd: number, offset?: number, length?: number): void;
}
