// The reports' charts (Recharts): drawn for the eye only (hidden from assistive technology,
// no keyboard stop), since each one's table beside it carries the same figures. Colours
// come from people.css (CSS rules over the SVG's attributes), never from a style attribute.

import type { ReactNode } from "react";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export interface ChartSeries<K extends string> {
  key: K;
  name: string;
  /** The colour people.css gives the series (`--chart-a`, `-b`, `-c`). */
  className: "pp-series-a" | "pp-series-b" | "pp-series-c";
}

function Frame({ children }: { children: ReactNode }) {
  return (
    <div className="pp-chart" aria-hidden="true">
      {children}
    </div>
  );
}

/**
 * Bars per row: one series, or several side by side; stacked only when `stacked` says the
 * series are parts of one whole (cases within, past and running their SLA make the cases).
 */
export function BarsChart<K extends string>({
  rows,
  labelKey,
  series,
  format,
  stacked = false,
  max,
}: {
  rows: readonly object[];
  labelKey: string;
  series: readonly ChartSeries<K>[];
  format: (value: number) => string;
  stacked?: boolean;
  /** The value axis's top, when the figures have one (100 for percentages). */
  max?: number;
}) {
  /** Legend and tooltip in the series' order (Recharts sorts them by name otherwise). */
  const order = (item: { dataKey?: unknown }) => series.findIndex((s) => s.key === item.dataKey);
  return (
    <Frame>
      <ResponsiveContainer width="100%" height={260}>
        <BarChart data={[...rows]} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 8, left: 8 }}>
          <CartesianGrid className="pp-chart-grid" vertical={false} />
          <XAxis dataKey={labelKey} className="pp-chart-axis" tickLine={false} minTickGap={8} />
          <YAxis
            className="pp-chart-axis"
            allowDecimals={false}
            tickFormatter={(value: number) => format(value)}
            width={72}
            {...(max !== undefined ? { domain: [0, max] } : {})}
          />
          <Tooltip
            wrapperClassName="pp-chart-tooltip"
            cursor={{ className: "pp-chart-cursor" }}
            formatter={(value) => (typeof value === "number" ? format(value) : String(value))}
            itemSorter={order}
            itemStyle={{ color: "inherit" }}
          />
          {/* people.css colours legend items by position, hence the series' order. Names in the
              text's colour, not the series' (a grey name would not read well). */}
          {series.length > 1 ? <Legend itemSorter={order} labelStyle={{ color: "inherit" }} /> : null}
          {series.map((s) => (
            <Bar
              key={s.key}
              dataKey={s.key}
              name={s.name}
              className={s.className}
              isAnimationActive={false}
              {...(stacked ? { stackId: "stack" } : {})}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </Frame>
  );
}
