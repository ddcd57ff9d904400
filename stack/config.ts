/** Settings from the environment (see README: Configuration). */
export const config = {
  port: Number(process.env.PORT ?? 3000),
  mongodbUri: process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/iso20k',
  temporalAddress: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
  namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
  adminApiKey: process.env.ADMIN_API_KEY,
  webhookUrl: process.env.NOTIFY_WEBHOOK_URL,
  logLevel: process.env.LOG_LEVEL ?? 'info',
};
