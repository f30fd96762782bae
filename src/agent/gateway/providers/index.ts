// The providers the gateway can stand in front of; see provider.ts for what differs between them.
export { anthropicProvider } from './anthropic.js';
export { type AwsKeys, type BedrockOptions, bedrockProvider } from './bedrock.js';
export { eventStreamMeter } from './eventstream.js';
export { PROVIDERS, type Provider, type ProviderName, type ProviderRoute } from './provider.js';
export { googleAccessToken, type VertexOptions, vertexProvider } from './vertex.js';
