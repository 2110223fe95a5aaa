// What is said at a bank counter when a product is sold, as sentences for the
// offline engine's domain language model. The rule pack's phrases are added
// to this at run time; this keeps ordinary talk between them recognisable.
// (Test sentences in test/fixtures/transcription are deliberately different.)

export const BANKING_CORPUS = `
good morning welcome to the bank how can i help you today
good afternoon please have a seat
my name is and i am your relationship manager
i am a licensed financial adviser and i am qualified to sell this product
i am certified to sell investment products
may i see your identity card please
could you confirm your full name for me
can you show me your passport or your id card
my name is john smith
here is my id card
thank you for confirming your identity
let me explain the product to you
this is a wealth management product
this is an insurance policy issued by our partner insurer
the product name is the stable growth fund
the term of the product is one year
the term is three years and it matures in twenty twenty eight
the management fee is one percent per year
there is a subscription fee of half a percent
the fees are listed on the product document
this product is not a bank deposit
it is not covered by deposit insurance
this is an investment product and not a deposit
the principal may be lost
you could lose some or all of your principal
returns are not guaranteed
past performance does not guarantee future results
past performance does not promise future returns
the value of the investment can go down as well as up
your risk tolerance level is balanced
your risk assessment result is conservative
your risk level is moderately conservative
your risk profile is growth
the product risk level is r two
the product is rated r three which is balanced risk
this product has a low risk rating
the product risk level does not exceed your risk tolerance
do you understand the risks
yes i understand the risks
i understand that i may lose money
no i do not really understand
can you explain that again please
is this your own decision
yes this is my own decision
nobody is forcing me to buy this
i would like to buy this product
i agree to buy it
i want to go ahead and sign
please sign here
here is the product document and the risk disclosure statement
please read the risk disclosure statement
you have a cooling off period of fifteen days
the free look period is ten days
you can cancel within the cooling off period and get a full refund
if you surrender the policy early you may lose money
early surrender can mean a loss of money
the insurer is national life insurance company
this is guaranteed with no risk
your principal is protected
it is as safe as a deposit
we promise a yield of five percent
the expected return is four percent but it is not guaranteed
do you have any questions
thank you very much
okay thank you have a nice day
let me check with our expert on the video call
the expert will explain the details
can you hear me
yes i can hear you clearly
`
  .trim()
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l.length > 0);

/** Default domain hints when no rule pack is given (the examples). */
export const DEFAULT_HINTS = [
  'principal',
  'deposit insurance',
  'cooling-off period',
  'free-look period',
  'not a bank deposit',
  'returns are not guaranteed',
  'risk tolerance',
  'risk level',
  'risk disclosure statement',
  'surrender',
  'management fee',
  'maturity',
];
