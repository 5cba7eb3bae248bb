// The reports' charts (Recharts): drawn for the eye only (hidden from assistive technology,
// no keyboard stop), since each one's table beside it carries the same figures. Colours
// come from people.css (CSS rules over the SVG's attributes), never from a style attribute.

import type { ReactNode } from "react";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export interface ChartSeries<K extends string> {
  key: K;
  name: string;
  /** `series-a`, `series-b`: the colour people.css gives it. */
  className: "pp-series-a" | "pp-series-b";
}

function Frame({ children }: { children: ReactNode }) {
  return (
    <div className="pp-chart" aria-hidden="true">
      {children}
    </div>
  );
}

/** Bars per row: one series, or several side by side (never stacked: nothing is added up). */
export function BarsChart<K extends string>({
  rows,
  labelKey,
  series,
  format,
}: {
  rows: readonly object[];
  labelKey: string;
  series: readonly ChartSeries<K>[];
  format: (value: number) => string;
}) {
  return (
    <Frame>
      <ResponsiveContainer width="100%" height={260}>
        <BarChart data={[...rows]} accessibilityLayer={false} margin={{ top: 8, right: 8, bottom: 8, left: 8 }}>
          <CartesianGrid className="pp-chart-grid" vertical={false} />
          <XAxis dataKey={labelKey} className="pp-chart-axis" tickLine={false} minTickGap={8} />
          <YAxis className="pp-chart-axis" allowDecimals={false} tickFormatter={(value: number) => format(value)} width={72} />
          <Tooltip
            wrapperClassName="pp-chart-tooltip"
            cursor={{ className: "pp-chart-cursor" }}
            formatter={(value) => (typeof value === "number" ? format(value) : String(value))}
          />
          {series.length > 1 ? <Legend /> : null}
          {series.map((s) => (
            <Bar key={s.key} dataKey={s.key} name={s.name} className={s.className} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </Frame>
  );
}
