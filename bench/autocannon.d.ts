// autocannon ships no types and @types/autocannon is not installed; load.ts types what it reads.
declare module 'autocannon';
