import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';

dayjs.extend(utc);
dayjs.extend(timezone);

const CITY_TZ = 'Asia/Shanghai';

/** An instant from the server as the city's clocks read it, whatever zone the browser's computer is set to. */
export const cityTime = (instant: string | number | Date) => dayjs(instant).tz(CITY_TZ);

/** An instant for a table or a line of text ('—' when there is none). Not for date-only values such as calendar days. */
export const formatTime = (instant: string | number | Date | null | undefined, pattern = 'YYYY-MM-DD HH:mm') =>
  instant == null || instant === '' ? '—' : cityTime(instant).format(pattern);
