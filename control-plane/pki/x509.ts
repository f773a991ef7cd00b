// The one door to @peculiar/x509: it needs the Reflect polyfill (through tsyringe) loaded before
// it, and ESM evaluates imports in order, so every module imports the library from here.
import 'reflect-metadata';

export * from '@peculiar/x509';
