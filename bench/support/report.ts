/** Plain-text tables for benchmark output. */

export type Align = 'left' | 'right'

export interface Column {
  title: string
  align?: Align
}

export function formatTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c, i) => Math.max(c.title.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => {
        const width = widths[i] ?? 0
        return columns[i]?.align === 'left' ? cell.padEnd(width) : cell.padStart(width)
      })
      .join('  ')
      .trimEnd()
  const rule = widths.map((w) => '-'.repeat(w)).join('  ')
  return [line(columns.map((c) => c.title)), rule, ...rows.map(line)].join('\n')
}

/** Three significant figures at most, never fewer than the integer part. */
export function figure(value: number): string {
  if (!Number.isFinite(value)) return '-'
  if (Math.abs(value) >= 100) return Math.round(value).toString()
  return Number(value.toPrecision(3)).toString()
}
