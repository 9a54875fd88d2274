// tfjs-core 4.22's hash_util.d.ts names a global `Long` type that no installed package declares;
// every strict consumer without skipLibCheck hits it. The shim keeps skipLibCheck off, so our own
// declarations are still checked.
declare type Long = { low: number; high: number; unsigned: boolean };
