// Allure Report 3: one self-contained HTML file, written by `npm run e2e`.
import { defineConfig } from 'allure';

export default defineConfig({
  name: 'podnet-e2e — pod networking claims',
  output: './reports/allure-report',
  plugins: {
    awesome: {
      options: {
        singleFile: true,
        reportLanguage: 'en',
        groupBy: ['epic', 'feature'],
      },
    },
  },
});
