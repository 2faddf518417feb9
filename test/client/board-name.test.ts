import { expect } from 'chai';
import { boardShortName } from '../../client/src/lib/board-name.ts';

describe('Client: a board\'s name on a chart (client/src/lib/board-name.ts)', () => {
  it('drops "RCP" before an adjective, keeps it before "d\'…" or "de …"', () => {
    expect(boardShortName('RCP digestive du CHU Méditerranée')).to.equal('digestive du CHU Méditerranée');
    expect(boardShortName("RCP d'oncogériatrie du CHU Méditerranée")).to.equal("RCP d'oncogériatrie du CHU Méditerranée");
    expect(boardShortName('RCP de recours en sarcomes')).to.equal('RCP de recours en sarcomes');
    expect(boardShortName('Comité des tumeurs rares')).to.equal('Comité des tumeurs rares');
  });
});
