//! Relay frames (`sotto_wire`): the header and every structured payload.
//! Whatever decodes must re-encode to something that decodes to the same
//! value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sotto_wire::{
    Bundle, CloseMarker, CreateParams, Created, DeliveryKind, ErrorBody, Frame, Kind, MintRequest,
    Presence, Results, SubmissionDelivery, TokenList, Welcome, decode_ref,
};

fn payloads(p: &[u8]) {
    if let Ok(x) = CreateParams::decode(p) {
        assert_eq!(CreateParams::decode(&x.encode()), Ok(x));
    }
    if let Ok(x) = Created::decode(p) {
        assert_eq!(x.encode(), p);
    }
    if let Ok(x) = Welcome::decode(p) {
        assert_eq!(Welcome::decode(&x.encode()), Ok(x));
    }
    if let Ok(x) = MintRequest::decode(p) {
        assert_eq!(x.encode(), p);
    }
    if let Ok(x) = TokenList::decode(p) {
        assert_eq!(x.encode(), p);
    }
    if let Ok(x) = Bundle::decode(p) {
        assert_eq!(Bundle::encode(&x.parts), p);
    }
    if let Ok(x) = SubmissionDelivery::decode(p) {
        assert_eq!(x.encode(), p);
    }
    if let Ok(x) = CloseMarker::decode(p) {
        assert_eq!(x.encode(), p);
    }
    if let Ok(x) = ErrorBody::decode(p) {
        assert_eq!(ErrorBody::decode(&x.encode()), Ok(x));
    }
    if let Ok(x) = Results::decode(p) {
        assert_eq!(x.encode(), p);
    }
    if let Ok(x) = Presence::decode(p) {
        assert_eq!(x.encode(), p);
    }
}

fuzz_target!(|data: &[u8]| {
    match decode_ref(data) {
        Ok((header, payload)) => {
            let frame = Frame::decode(data).expect("decode_ref accepted it");
            assert_eq!(frame.header, header);
            assert_eq!(frame.payload, payload);
            // Only the reserved byte may differ: it is written as 0.
            let again = frame.encode();
            assert_eq!(again.len(), data.len());
            assert_eq!(again[..3], data[..3]);
            assert_eq!(again[4..], data[4..]);
            if header.kind == Kind::Deliver {
                let _ = DeliveryKind::try_from(header.tag);
            }
            payloads(payload);
        }
        Err(e) => {
            assert!(Frame::decode(data).is_err());
            let _ = e.to_string();
        }
    }
    payloads(data);
});
