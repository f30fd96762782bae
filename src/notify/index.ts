// Notifications to Slack, Discord, Telegram and a signed webhook: see docs/notifications.md.
export { type Notice, plainText } from './message.js';
export { type NotifyConfig, notify, type SendOptions, telegramApi } from './send.js';
export {
  REPLAY_WINDOW_SECONDS,
  SIGNATURE_HEADER,
  signature,
  TIMESTAMP_HEADER,
  verifySignature,
} from './sign.js';
export { commentOnTicket, type TicketRef, type TrackerConfig, ticketDelivery } from './tracker.js';
