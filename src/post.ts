import { post } from './pipeline/post.js';

await post();
