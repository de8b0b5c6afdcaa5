declare module 'parse-prometheus-text-format' {
  /** Metric families of Prometheus' text format, as the parser returns them. */
  export default function parsePrometheusTextFormat(text: string): unknown[];
}
