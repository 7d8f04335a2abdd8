"""The Ngọc Liên set of life events and questions of the guided finder (an administrator
edits them in the admin): used by the data migration and by ``ensure_life_events`` (demo,
tests), which adds only the events missing. Procedures are named by their catalogue codes;
a code the catalogue does not have is skipped when shown."""

EVENTS = [
    {
        "slug": "sinh-con", "name": "Sinh con", "order": 10,
        "description": "Đăng ký khai sinh cho con trong 60 ngày kể từ ngày sinh (miễn lệ phí khi đăng ký đúng hạn), rồi đăng ký thường trú và thẻ bảo hiểm y tế cho trẻ.",
        "keywords": ["khai sinh", "em bé", "trẻ sơ sinh", "đẻ", "giấy khai sinh"],
        "codes": ["1.001193"],
        "questions": [
            ("Cha mẹ của cháu đã đăng ký kết hôn chưa?", "", [
                ("Đã đăng ký kết hôn", [], ""),
                ("Chưa đăng ký kết hôn, người cha muốn nhận con", ["1.000689"], "Khai sinh kết hợp nhận cha, con: cần văn bản chứng minh quan hệ cha con."),
            ]),
            ("Bạn có muốn làm luôn thường trú và thẻ BHYT cho cháu?", "Một lần nộp, ba việc (liên thông).", [
                ("Có, làm liên thông", ["2.000986"], ""),
                ("Không, chỉ khai sinh", [], ""),
            ]),
            ("Cha hoặc mẹ là người nước ngoài?", "", [
                ("Không", [], ""),
                ("Có", ["2.000528"], "Trường hợp có yếu tố nước ngoài có thủ tục riêng."),
            ]),
        ],
    },
    {
        "slug": "ket-hon", "name": "Kết hôn", "order": 20,
        "description": "Đăng ký kết hôn tại UBND xã nơi cư trú của một trong hai bên; có thể cần giấy xác nhận tình trạng hôn nhân.",
        "keywords": ["cưới", "lấy vợ", "lấy chồng", "đăng ký kết hôn"],
        "codes": ["1.000894"],
        "questions": [
            ("Hai bạn có cư trú ở hai xã khác nhau không?", "", [
                ("Cùng xã", [], ""),
                ("Khác xã", ["1.004873"], "Bên cư trú ở xã khác có thể cần Giấy xác nhận tình trạng hôn nhân."),
            ]),
            ("Một bên là người nước ngoài?", "", [
                ("Không", [], ""),
                ("Có", ["2.000806"], ""),
            ]),
        ],
    },
    {
        "slug": "nguoi-than-mat", "name": "Người thân mất", "order": 30,
        "description": "Đăng ký khai tử trong 15 ngày kể từ ngày chết; có thể kết hợp hưởng chế độ tử tuất, mai táng phí.",
        "keywords": ["khai tử", "qua đời", "chết", "mai táng", "tang"],
        "codes": ["1.000656"],
        "questions": [
            ("Người mất có hưởng lương hưu, trợ cấp hoặc là người có công?", "", [
                ("Không", [], ""),
                ("Có", ["1.010915"], "Làm liên thông khai tử và chế độ tử tuất, mai táng phí."),
            ]),
            ("Bạn cần chia thừa kế nhà, đất?", "", [
                ("Chưa cần", [], ""),
                ("Có", ["2.001406", "2.001016"], "Chứng thực văn bản phân chia hoặc từ chối nhận di sản."),
            ]),
        ],
    },
    {
        "slug": "xay-nha", "name": "Xây, sửa nhà", "order": 40,
        "description": "Giấy phép xây dựng nhà ở riêng lẻ; đất phải có giấy chứng nhận quyền sử dụng đất.",
        "keywords": ["xây dựng", "sửa nhà", "cải tạo", "giấy phép xây dựng", "làm nhà"],
        "codes": [],
        "questions": [
            ("Bạn xây mới hay sửa chữa?", "", [
                ("Xây mới", ["1.013225"], ""),
                ("Sửa chữa, cải tạo", ["1.013229"], ""),
                ("Xin cấp lại giấy phép", ["1.013228"], ""),
            ]),
            ("Đất đã có Giấy chứng nhận quyền sử dụng đất chưa?", "", [
                ("Đã có", [], ""),
                ("Chưa có", ["1.013978"], "Cần đăng ký đất đai, cấp Giấy chứng nhận lần đầu trước."),
            ]),
        ],
    },
    {
        "slug": "mo-cua-hang", "name": "Mở cửa hàng, kinh doanh", "order": 50,
        "description": "Đăng ký hộ kinh doanh tại xã; thay đổi, tạm ngừng hoặc chấm dứt khi cần.",
        "keywords": ["kinh doanh", "buôn bán", "cửa hàng", "hộ kinh doanh", "quán"],
        "codes": ["1.001612"],
        "questions": [
            ("Bạn đã có hộ kinh doanh chưa?", "", [
                ("Chưa, đăng ký mới", [], ""),
                ("Đã có, muốn thay đổi nội dung", ["2.000720"], ""),
                ("Đã có, muốn tạm ngừng hoặc chấm dứt", ["1.001570", "1.001266"], ""),
            ]),
        ],
    },
    {
        "slug": "chuyen-den", "name": "Chuyển đến sinh sống", "order": 60,
        "description": "Đăng ký thường trú hoặc tạm trú tại Công an xã.",
        "keywords": ["thường trú", "tạm trú", "hộ khẩu", "chuyển nhà"],
        "codes": [],
        "questions": [
            ("Bạn ở lâu dài hay tạm thời?", "", [
                ("Lâu dài", ["1.004222"], ""),
                ("Tạm thời", ["1.004194"], ""),
            ]),
        ],
    },
    {
        "slug": "giay-to-ho-tich", "name": "Cần bản sao, xác nhận giấy tờ", "order": 70,
        "description": "Bản sao trích lục hộ tịch, giấy khai sinh; xác nhận tình trạng hôn nhân; chứng thực bản sao, chữ ký.",
        "keywords": ["bản sao", "chứng thực", "công chứng", "trích lục", "xác nhận độc thân"],
        "codes": [],
        "questions": [
            ("Bạn cần giấy gì?", "", [
                ("Bản sao giấy khai sinh, trích lục hộ tịch", ["2.000635"], ""),
                ("Xác nhận tình trạng hôn nhân", ["1.004873"], ""),
                ("Chứng thực bản sao", ["2.000815"], ""),
                ("Chứng thực chữ ký", ["2.000884"], ""),
            ]),
        ],
    },
]



def ensure_life_events(LifeEvent=None, FinderQuestion=None, FinderAnswer=None) -> int:
    """Add the shipped events that are missing (with their questions); returns how many."""
    if LifeEvent is None:
        from .models import FinderAnswer, FinderQuestion, LifeEvent
    added = 0
    for e in EVENTS:
        event, created = LifeEvent.objects.get_or_create(
            slug=e["slug"],
            defaults={"name": e["name"], "description": e["description"], "procedure_codes": "\n".join(e["codes"]),
                      "keywords": "\n".join(e["keywords"]), "sort_order": e["order"]},
        )
        if not created:
            continue
        added += 1
        for qi, (text, help_text, answers) in enumerate(e["questions"]):
            q = FinderQuestion.objects.create(life_event=event, text=text, help_text=help_text, sort_order=qi)
            for ai, (answer, codes, note) in enumerate(answers):
                FinderAnswer.objects.create(question=q, text=answer, procedure_codes="\n".join(codes), note=note, sort_order=ai)
    return added
