// bottleneck ships types for its full build only. Pilot loads the light build (no Redis clustering),
// the one @octokit/plugin-throttling loads, so the bundle carries a single copy; the API is the same.
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck';
  export default Bottleneck;
}
