import pino from 'pino';

/** Structured JSON logs, one line an event. */
export const logger = pino({ level: process.env.LOG_LEVEL ?? 'info', base: { service: 'iso20k-flow' } });
