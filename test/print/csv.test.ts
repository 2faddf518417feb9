import { expect } from 'chai';
import { frenchCsv } from '../../server/print/csv.ts';

describe('CSV for French spreadsheets', () => {
  it('separates with semicolons, writes decimal commas, quotes what needs it, starts with a BOM', () => {
    expect(frenchCsv([['RCP', 'Taux'], ['Digestif; Marseille', 0.75], ['Dit "Sein"', null]]))
      .to.equal('\ufeffRCP;Taux\r\n"Digestif; Marseille";0,75\r\n"Dit ""Sein""";\r\n');
  });

  it('neutralises a text cell a spreadsheet would run as a formula (CSV injection), not a negative number', () => {
    const line = frenchCsv([['=HYPERLINK("http://x")', '+33 4', '@SUM(A1)', '-1', -1]]).slice(1).trim();
    expect(line.split(';')).to.deep.equal([`"'=HYPERLINK(""http://x"")"`, "'+33 4", "'@SUM(A1)", "'-1", '-1']);
  });
});
